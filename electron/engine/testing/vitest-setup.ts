// Every test file: stop the instances (script workers, ORT sessions) of repositories tests opened.
import { afterAll } from 'vitest';
import { closeRepositories } from '../repository/testing/temp-repo';

afterAll(closeRepositories);
