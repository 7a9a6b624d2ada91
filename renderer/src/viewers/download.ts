/** Saves bytes the lab sent (base64) as a file: a Blob, an object URL and a clicked `<a download>`. */
import { base64ToBytes } from './tensor-utils';

export function downloadBase64(fileName: string, base64: string, mime: string): void {
  const blob = new Blob([base64ToBytes(base64)], { type: mime || 'application/octet-stream' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.appendChild(a);
  try {
    a.click();
  } finally {
    a.remove();
    // Give the browser time to start reading the blob before letting it go.
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}
