export function keepFolders(from: string, to: string, rel?: string): string[];
export function afterPack(context: { appOutDir: string; packager: { projectDir: string; getResourcesDir(appOutDir: string): string } }): Promise<void>;
export default afterPack;
