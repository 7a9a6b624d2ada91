/** English messages of the diagnostics area (issue 14). */
export const diagnosticsEn = {
  'diag.severity.error': 'Error',
  'diag.severity.warning': 'Warning',
  'diag.severity.info': 'Note',
  'diag.english': 'Triton’s message',
  'diag.english.hint': 'Triton’s own wording: select it to copy or search for it',
  'model.scheduler.none': 'default scheduler (no batching)',
  'model.scheduler.dynamic_batching': 'dynamic batching',
  'model.scheduler.sequence_batching': 'sequence batching',
  'model.scheduler.ensemble_scheduling': 'ensemble scheduling',
  'model.versionPolicy.code': 'as written in config.pbtxt',
  'model.reasonLabel': '{state}:',
  'diag.count.errors': '{n, plural, one {# error} other {# errors}}',
  'diag.count.warnings': '{n, plural, one {# warning} other {# warnings}}',
  'model.reloadFailed.chipTitle': '{title}: {reason}',
  'model.reloadFailed.heading': '{title}.',
};
