/** English messages about the engine process (desktop: it runs apart from the window; merged into `en`). */
export const engineEn = {
  'engine.restarting': 'The engine stopped ({reason}) and is restarting. The window stays open; runs in progress were cancelled, and earlier run results are gone.',
  'engine.running': 'The engine is back. The repositories that were open have been reopened.',
  'engine.runningEmpty': 'The engine is back, without the repositories: it kept stopping while it opened them. Open them again (File › Open Recent) once you have checked them.',
  'engine.failed': 'The engine stopped again ({reason}) and was not restarted automatically.',
  'engine.retry': 'Restart the engine',
  'engine.retrying': 'Restarting…',
  'engine.retryFailed': 'The engine did not start: {reason}',
} as const;

export type EngineKey = keyof typeof engineEn;
