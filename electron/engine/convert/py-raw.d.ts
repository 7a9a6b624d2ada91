/** The converter's Python script, bundled as text (Vite's `?raw`): written next to its job and run from there. */
declare module '*.py?raw' {
  const source: string;
  export default source;
}
