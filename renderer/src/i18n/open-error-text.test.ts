import { describe, expect, it } from 'vitest';
import { openErrorText } from './open-error-text';

// The engine's own templates, read from its source, so a reworded message fails here.
const SOURCES = import.meta.glob(['../../../electron/engine/repository/folder-kind.ts', '../../../electron/engine/lab.ts'], { query: '?raw', import: 'default', eager: true }) as Record<
  string,
  string
>;

/** The template literals a source returns or throws about a folder, with every `${…}` filled by a sample path or list. */
function messages(source: string): string[] {
  const templates = [...source.matchAll(/`('\$\{(?:dir|abs)\}'[^`]*)`/g)].map((m) => m[1]!);
  return templates.map((tpl) =>
    tpl
      .replace(/\$\{versions\.length === 1 \? '' : 's'\}/g, 's')
      .replace(/\$\{names\([^)]*\)\}/g, 'a, b')
      .replace(/\$\{path\.join\([^}]*\)\}/g, '/r/a')
      .replace(/\$\{[^}]+\}/g, '/r/x'),
  );
}

describe('openErrorText', () => {
  it('reads the engine templates it translates', () => {
    const all = Object.values(SOURCES).flatMap(messages);
    expect(all.filter((m) => m.includes('model repository') || m.includes('does not exist') || m.includes('is not a folder')).length).toBeGreaterThanOrEqual(6);
  });

  it('words every "not a model repository", missing and not-a-folder message in Chinese, the English beside it', () => {
    const wanted = Object.values(SOURCES)
      .flatMap(messages)
      .filter((m) => /not a model repository|holds model repositories|does not exist$|is not a folder;/.test(m));
    for (const message of wanted) {
      const shown = openErrorText(message, 'zh-CN');
      expect(shown.english, message).toBe(message);
      expect(shown.text, message).toMatch(/[\u4e00-\u9fff]/);
      expect(shown.text, message).toContain('/r/x');
    }
  });

  it('leaves other errors, and English mode, as they are', () => {
    expect(openErrorText("'/x/y' does not exist", 'zh-CN')).toEqual({ text: '“/x/y”不存在。', english: "'/x/y' does not exist" });
    expect(openErrorText('EACCES: permission denied', 'zh-CN')).toEqual({ text: 'EACCES: permission denied' });
    expect(openErrorText("'/x/y' does not exist", 'en')).toEqual({ text: "'/x/y' does not exist" });
  });
});
