#!/usr/bin/env node
// Renders the OCR sample images (SVG text through sharp, fonts from fontconfig)
// into resources/sample-images/, with manifest.json listing each image's lines
// in reading order. The output is committed; rerun after changing a spec:
//   node scripts/make-sample-images.mjs
// Needs the DejaVu, Liberation and Noto CJK fonts (Debian: fonts-dejavu-core,
// fonts-liberation, fonts-noto-cjk); missing fonts would silently fall back,
// so the script refuses to run without them.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'resources', 'sample-images');

const FONTS = ['DejaVu Sans', 'DejaVu Serif', 'Liberation Sans', 'Liberation Mono', 'Noto Sans CJK SC'];

/**
 * Each image: a background, lines of text (font, size, colour), optional
 * tilt of the text block, rotation of the finished image, JPEG noise.
 * Texts avoid glyphs that are ambiguous in isolation (l/I/1, O/0).
 */
const IMAGES = [
  {
    file: 'dejavu-sans-lines.png',
    description: 'Four lines of DejaVu Sans, 30 px, dark grey on white',
    descriptionZh: '四行 DejaVu Sans 文字，30 px，白底深灰色',
    width: 620,
    lines: [
      ['Model Lab reads this text', { font: 'DejaVu Sans', size: 30 }],
      ['Every line is found by DB', { font: 'DejaVu Sans', size: 30 }],
      ['and read by the SVTR model', { font: 'DejaVu Sans', size: 30 }],
      ['Quick brown foxes jump high', { font: 'DejaVu Sans', size: 30 }],
    ],
  },
  {
    file: 'dejavu-serif-large.png',
    description: 'Two lines of DejaVu Serif, 72 px',
    descriptionZh: '两行 DejaVu Serif 文字，72 px',
    width: 760,
    lines: [
      ['Triton Server', { font: 'DejaVu Serif', size: 72 }],
      ['Ensemble Demo', { font: 'DejaVu Serif', size: 72 }],
    ],
  },
  {
    file: 'liberation-sans-small.png',
    description: 'Six lines of small print: Liberation Sans, 20 px',
    descriptionZh: '六行小字：Liberation Sans，20 px',
    width: 640,
    lines: [
      'Small print is harder to read for every model.',
      'Each sentence here uses a twenty pixel font.',
      'Detection must keep the lines apart from each other.',
      'Recognition then turns every crop into characters.',
      'Numbers such as 2025 and 38.5 are welcome too.',
      'Punctuation: commas, periods and question marks?',
    ].map((t) => [t, { font: 'Liberation Sans', size: 20 }]),
  },
  {
    file: 'liberation-mono-code.png',
    description: 'Command lines in Liberation Mono, 24 px, on a light grey panel',
    descriptionZh: '浅灰色面板上的命令行，Liberation Mono，24 px',
    width: 560,
    background: '#eef0f2',
    lines: [
      ['npm run build', { font: 'Liberation Mono', size: 24, color: '#1a1a1a' }],
      ['model-lab validate samples', { font: 'Liberation Mono', size: 24, color: '#1a1a1a' }],
      ['export default class Model', { font: 'Liberation Mono', size: 24, color: '#1a1a1a' }],
    ],
  },
  {
    file: 'dark-banner.png',
    description: 'Light bold text on a dark navy background (Liberation Sans Bold, 44 px)',
    descriptionZh: '深藏青色背景上的浅色粗体文字（Liberation Sans Bold，44 px）',
    width: 640,
    background: '#1b2838',
    lines: [
      ['Night Mode Sample', { font: 'Liberation Sans', size: 44, weight: 'bold', color: '#f2f2f2' }],
      ['Light text on navy', { font: 'Liberation Sans', size: 44, weight: 'bold', color: '#f2f2f2' }],
    ],
  },
  {
    file: 'noisy-scan.jpg',
    description: 'Grainy beige paper saved as a low-quality JPEG (quality 12): visible block and ringing artifacts',
    descriptionZh: '带颗粒的米黄色纸张，存为低质量 JPEG（质量 12）：块状和振铃伪影清晰可见',
    width: 600,
    background: '#efe6d2',
    noise: 36,
    jpegQuality: 12,
    lines: [
      ['Compressed JPEG text', { font: 'DejaVu Sans', size: 32, color: '#333333' }],
      ['Artifacts around each letter', { font: 'DejaVu Sans', size: 32, color: '#333333' }],
      ['Still readable after saving', { font: 'DejaVu Sans', size: 32, color: '#333333' }],
    ],
  },
  {
    file: 'chinese-lines.png',
    description: 'Simplified Chinese in Noto Sans CJK SC, 40 px',
    descriptionZh: '简体中文，Noto Sans CJK SC，40 px',
    width: 520,
    lines: [
      ['模型实验室', { font: 'Noto Sans CJK SC', size: 40 }],
      ['文字识别示例', { font: 'Noto Sans CJK SC', size: 40 }],
      ['欢迎使用推理服务', { font: 'Noto Sans CJK SC', size: 40 }],
    ],
  },
  {
    file: 'mixed-report.png',
    description: 'A coloured card mixing sizes (56, 26 and 30 px) and scripts: a bold English title, English body lines, a Chinese line',
    descriptionZh: '一张彩色卡片，混合多种字号（56、26 和 30 px）和文字：英文粗体标题、英文正文和一行中文',
    width: 700,
    background: '#fff6d5',
    lines: [
      ['Weekly Report', { font: 'DejaVu Sans', size: 56, weight: 'bold', color: '#8b1a1a' }],
      ['Sales grew by twelve percent', { font: 'DejaVu Sans', size: 26, color: '#3a2a10' }],
      ['New stores opened in Shanghai', { font: 'DejaVu Sans', size: 26, color: '#3a2a10' }],
      ['上海新店开业', { font: 'Noto Sans CJK SC', size: 30, color: '#1f3a60' }],
    ],
  },
  {
    file: 'wide-line.png',
    description: 'One long line across a 960 px image (DejaVu Sans, 26 px)',
    descriptionZh: '横贯 960 px 宽图像的一长行文字（DejaVu Sans，26 px）',
    width: 960,
    lines: [['The quick brown fox jumps over the lazy dog near the river bank', { font: 'DejaVu Sans', size: 26 }]],
  },
  {
    file: 'tilted-text.png',
    description: 'Two lines of Liberation Sans, 36 px, tilted 6 degrees counter-clockwise',
    descriptionZh: '两行 Liberation Sans 文字，36 px，逆时针倾斜 6 度',
    width: 500,
    tilt: 6,
    lines: [
      ['Tilted text works too', { font: 'Liberation Sans', size: 36 }],
      ['when boxes are rotated', { font: 'Liberation Sans', size: 36 }],
    ],
  },
  {
    file: 'upside-down.png',
    description: 'Three lines of DejaVu Sans, 34 px, with the whole image rotated 180 degrees; needs the text direction classifier (ocr_bls)',
    descriptionZh: '三行 DejaVu Sans 文字，34 px，整幅图像旋转了 180 度；需要文字方向分类器（ocr_bls）',
    width: 600,
    rotation: 180,
    lines: [
      ['Upside down page', { font: 'DejaVu Sans', size: 34 }],
      ['Read through BLS', { font: 'DejaVu Sans', size: 34 }],
      ['with a direction check', { font: 'DejaVu Sans', size: 34 }],
    ],
  },
];

const escapeXml = (s) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

function svgFor(spec) {
  const margin = 40;
  // A tilted block needs room for its ends to rise and fall.
  const extra = spec.tilt ? Math.ceil((spec.width * Math.sin((spec.tilt * Math.PI) / 180)) / 2) : 0;
  let y = margin + extra;
  const texts = spec.lines.map(([text, style]) => {
    y += style.size;
    const t = `<text x="${margin}" y="${y}" font-family="${style.font}" font-size="${style.size}" font-weight="${style.weight ?? 'normal'}" fill="${style.color ?? '#222222'}">${escapeXml(text)}</text>`;
    y += Math.round(style.size * 0.6);
    return t;
  });
  const height = y + margin + extra - Math.round(spec.lines.at(-1)[1].size * 0.6) + 10;
  const body = spec.tilt ? `<g transform="rotate(${-spec.tilt} ${spec.width / 2} ${height / 2})">${texts.join('')}</g>` : texts.join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${spec.width}" height="${height}"><rect width="100%" height="100%" fill="${spec.background ?? '#ffffff'}"/>${body}</svg>`;
  return { svg, height };
}

/** Deterministic noise (mulberry32) so reruns give the same bytes. */
function addNoise(pixels, amount, seed = 12345) {
  let s = seed;
  const rand = () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = 0; i < pixels.length; i += 3) {
    const n = (rand() - 0.5) * amount;
    for (let k = 0; k < 3; k++) pixels[i + k] = Math.max(0, Math.min(255, Math.round(pixels[i + k] + n)));
  }
}

async function render(spec) {
  const { svg } = svgFor(spec);
  let img = sharp(Buffer.from(svg))
    .flatten({ background: spec.background ?? '#ffffff' })
    .removeAlpha();
  if (spec.rotation) img = sharp(await img.png().toBuffer()).rotate(spec.rotation);
  if (spec.noise) {
    const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
    addNoise(data, spec.noise);
    img = sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } });
  }
  const file = path.join(outDir, spec.file);
  if (spec.file.endsWith('.jpg')) await img.jpeg({ quality: spec.jpegQuality ?? 80, chromaSubsampling: '4:2:0' }).toFile(file);
  else await img.png({ compressionLevel: 9 }).toFile(file);
  const meta = await sharp(file).metadata();
  return { width: meta.width, height: meta.height };
}

function checkFonts() {
  let list = '';
  try {
    list = execFileSync('fc-list', [':', 'family'], { encoding: 'utf8' });
  } catch {
    throw new Error('fc-list is not available; install fontconfig and the fonts named in this script');
  }
  const missing = FONTS.filter((f) => !list.includes(f));
  if (missing.length) throw new Error(`missing fonts: ${missing.join(', ')}`);
}

checkFonts();
mkdirSync(outDir, { recursive: true });
const manifest = {
  description: 'OCR sample images rendered by scripts/make-sample-images.mjs; lines are the expected text in reading order.',
  images: [],
};
for (const spec of IMAGES) {
  const size = await render(spec);
  manifest.images.push({
    file: spec.file,
    description: spec.description,
    descriptionZh: spec.descriptionZh,
    ...size,
    rotation: spec.rotation ?? 0,
    lines: spec.lines.map(([text]) => text),
  });
  console.log(`${spec.file}  ${size.width}x${size.height}`);
}
writeFileSync(path.join(outDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
