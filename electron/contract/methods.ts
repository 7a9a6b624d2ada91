/**
 * The method names of the lab API as data, for the preload's allow-list and
 * the IPC registration. The type check below fails if this list and
 * `LabMethods` ever disagree.
 */
import type { LabMethod } from './lab-api';

export const LAB_METHODS = [
  'hostInfo',
  'restartEngine',
  'listRepositories',
  'openRepository',
  'openSamples',
  'closeRepository',
  'reloadRepository',
  'pickRepositoryFolder',
  'getModel',
  'loadModel',
  'unloadModel',
  'cancelLoad',
  'setWatch',
  'readFile',
  'pickInputFile',
  'checkInputPath',
  'serveStatus',
  'startServing',
  'stopServing',
  'setTrust',
  'runModel',
  'cancelRun',
  'listRuns',
  'tensorInfo',
  'tensorPage',
  'tensorImage',
  'tensorHeatmap',
  'tensorHistogram',
  'exportTensor',
  'runSnippets',
  'modelStats',
  'modelSequences',
  'sampleImages',
  'getSettings',
  'setSettings',
  'modelGraph',
  'graphAnalysis',
  'observeGraph',
  'configFromModel',
  'netronStatus',
  'openInNetron',
  'startStepRun',
  'stepRun',
  'stepRunState',
  'exportTrace',
  'applyRepair',
  'modelLog',
  'portability',
  'exportDeployment',
  'convertToOnnx',
  'addRemoteServer',
  'removeRemoteServer',
  'listRemoteServers',
  'scrapeMetrics',
  'startProfile',
  'stopProfile',
  'getProfile',
  'listProfiles',
  'deleteProfile',
  'startWhatIf',
  'stopWhatIf',
  'getWhatIf',
  'applyWhatIf',
] as const satisfies readonly LabMethod[];

type Missing = Exclude<LabMethod, (typeof LAB_METHODS)[number]>;
/** Compile-time proof that every method is listed. */
export const ALL_METHODS_LISTED: Missing extends never ? true : Missing = true;

export const EVENT_CHANNEL = 'lab:event';
export const methodChannel = (m: LabMethod): string => `lab:${m}`;
