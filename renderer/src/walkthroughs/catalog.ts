/** Every walkthrough the app offers, in the order the list shows them. */
import { bls } from './content/bls';
import { dataPipelines } from './content/data-pipelines';
import { migrating } from './content/migrating';
import { modelEnsembles } from './content/model-ensembles';
import { quickDeploy } from './content/quick-deploy';
import type { Walkthrough } from './types';

export const WALKTHROUGHS: readonly Walkthrough[] = [quickDeploy, modelEnsembles, dataPipelines, bls, migrating];
