/**
 * The Deploy panel's state: the portability report of each open repository
 * (kept per repository, so switching back shows the last one at once while it
 * is read again) and the one export in progress or done. Reports and exports
 * are lab calls that may take a while; each keeps its own error, shown where
 * it happened.
 */
import { defineStore } from 'pinia';
import type { DeploymentExport, DeploymentExportRequest, PortabilityReport } from '@contract/lab-api';
import { errorText, useBackend } from '../../api/client';
import type { EnsembleSteps } from './deploy-model';

/** What the export form holds for a repository, kept while the lab runs (the form may unmount while a report loads). */
export interface ExportFormState {
  outDir: string;
  useTwins: boolean;
  /** The user changed the twins box: a new report no longer resets it. */
  twinsTouched: boolean;
  gpus: string;
  image: string;
}

/** Each report request counts up per repository, so a slow older answer never replaces a newer one. */
const reportSeq = new Map<string, number>();

/**
 * The step models of the report's lab-only ensembles: whether the twins free an ensemble depends on
 * its steps. An ensemble whose details cannot be read is left out (it then counts as lab-only).
 */
async function ensembleSteps(repoId: string, report: PortabilityReport): Promise<EnsembleSteps> {
  const ensembles = report.models.filter((m) => m.verdict === 'lab-only' && m.backend === 'ensemble');
  const entries = await Promise.all(
    ensembles.map(async (m) => {
      try {
        const detail = await useBackend().call('getModel', { repoId, model: m.model });
        return [[m.model, detail.ensembleSteps.map((s) => s.modelName)] as const];
      } catch {
        return [];
      }
    }),
  );
  return Object.fromEntries(entries.flat());
}

export const useDeployStore = defineStore('deploy', {
  state: () => ({
    reports: {} as Record<string, PortabilityReport>,
    /** Repositories whose report is being read now. */
    loading: {} as Record<string, boolean>,
    reportErrors: {} as Record<string, string>,
    /** A twins repository the user named, per repository (absent: the sibling `<repository>_python`). */
    twinsDir: {} as Record<string, string>,
    /** The step models of each lab-only ensemble of a report, per repository (read from getModel). */
    steps: {} as Record<string, EnsembleSteps>,
    forms: {} as Record<string, ExportFormState>,
    exporting: false,
    /** When the running export started (ms since the epoch), for the elapsed time. */
    exportStarted: 0,
    exportError: '',
    /** The repository the error or the result belongs to (a different repository shows neither). */
    exportRepoId: '',
    result: undefined as DeploymentExport | undefined,
  }),
  actions: {
    async loadReport(repoId: string): Promise<void> {
      const seq = (reportSeq.get(repoId) ?? 0) + 1;
      reportSeq.set(repoId, seq);
      this.loading[repoId] = true;
      try {
        const twins = this.twinsDir[repoId];
        const report = await useBackend().call('portability', { repoId, ...(twins ? { twins } : {}) });
        if (reportSeq.get(repoId) !== seq) return;
        this.steps[repoId] = await ensembleSteps(repoId, report);
        if (reportSeq.get(repoId) !== seq) return;
        this.reports[repoId] = report;
        delete this.reportErrors[repoId];
      } catch (err) {
        if (reportSeq.get(repoId) === seq) this.reportErrors[repoId] = errorText(err);
      } finally {
        if (reportSeq.get(repoId) === seq) this.loading[repoId] = false;
      }
    },
    async exportDeployment(req: DeploymentExportRequest): Promise<void> {
      if (this.exporting) return;
      this.exporting = true;
      this.exportStarted = Date.now();
      this.exportError = '';
      this.exportRepoId = req.repoId;
      this.result = undefined;
      try {
        this.result = await useBackend().call('exportDeployment', req);
      } catch (err) {
        this.exportError = errorText(err);
      } finally {
        this.exporting = false;
      }
    },
    /** Names the twins repository (empty: back to the sibling folder) and reads the report again with it. */
    async setTwins(repoId: string, dir: string): Promise<void> {
      if (dir) this.twinsDir[repoId] = dir;
      else delete this.twinsDir[repoId];
      await this.loadReport(repoId);
    },
    dismissReportError(repoId: string): void {
      delete this.reportErrors[repoId];
    },
    /** The repositories closed (every one not in `open`) take their report, error, form and twins folder along. */
    keepOnly(open: readonly string[]): void {
      const known = [this.reports, this.reportErrors, this.loading, this.twinsDir, this.steps, this.forms].flatMap((m) => Object.keys(m));
      for (const id of new Set(known)) if (!open.includes(id)) this.forget(id);
    },
    /** A repository closed: its report and any result about it go. */
    forget(repoId: string): void {
      delete this.reports[repoId];
      delete this.reportErrors[repoId];
      delete this.loading[repoId];
      delete this.twinsDir[repoId];
      delete this.steps[repoId];
      delete this.forms[repoId];
      if (this.exportRepoId === repoId && !this.exporting) {
        this.result = undefined;
        this.exportError = '';
      }
    },
  },
});
