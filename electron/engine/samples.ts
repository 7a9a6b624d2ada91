/** The bundled sample repositories: every folder under the samples folder that holds models. */
import { promises as fs } from 'node:fs';
import path from 'node:path';

export async function sampleRepositories(samplesDir: string): Promise<string[]> {
  const entries = await fs.readdir(samplesDir, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => path.join(samplesDir, e.name))
    .sort();
}
