/**
 * The graph side of the Lab: model graphs by repository, model and version,
 * cached by file path, mtime and size, with small constants' values and
 * inferred shapes added (analyze.ts); their initializers as viewable tensors
 * (TensorRef side 'initializer', runId = graphId); "use in config"; netron.
 * Model files and external weights are read only when their real path is
 * inside the repository's real root: a link that leaves it is refused.
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ConfigFromModel, GraphAnalysis, GraphSummary } from '../../contract/inspect-api';
import type { TensorRef } from '../../contract/lab-api';
import { LabError } from '../errors';
import { unknownModel } from '../triton-errors';
import type { Repository } from '../repository/repository';
import { type Tensor, isBytesData } from '../tensor/tensor';
import { analyzeGraph } from './analyze';
import { configFromModel } from './config-from-model';
import { MAX_VIEW_BYTES, readInitializer } from './initializer-reader';
import { type ModelFile, resolveModelFile } from './model-file';
import { NetronLauncher, type NetronOptions } from './netron';
import { type ParsedOnnx, type SummaryOptions, parseOnnxFile } from './onnx-summary';

export interface GraphTarget {
  repoId: string;
  model: string;
  version?: number;
}

interface CachedGraph {
  graphId: string;
  repoId: string;
  abs: string;
  mtimeMs: number;
  size: number;
  parsed: Promise<ParsedOnnx>;
  /**
   * The same, once analyzed (previews, inferred types: analyze.ts), started on
   * first need (`analyzedOf`): a big graph's summary is sent first, since
   * inference holds the event loop and would stall the summary's own transfer.
   */
  analyzed?: Promise<ParsedOnnx>;
  analysisDone?: boolean;
  /** Once parsed: the result and initializer index by name, for the synchronous tensor reads. */
  done?: { parsed: ParsedOnnx; byName: Map<string, number> };
}

export interface GraphServiceOptions extends SummaryOptions {
  netron?: NetronOptions;
  /** Most bytes one initializer view may read. */
  maxViewBytes?: number;
  /** Decoded initializers kept for paging, in bytes. */
  tensorCacheBytes?: number;
  /** Graphs with more nodes than this are sent before their analysis (GraphSummary.analysisPending); default 20,000. */
  inlineAnalysisNodes?: number;
}

/** How many parsed graphs stay cached (least recently opened go first). */
const MAX_GRAPHS = 24;

/** Up to this many nodes (a 10,000-node graph analyzes in under 100 ms), the summary waits for its analysis. */
const INLINE_ANALYSIS_NODES = 20_000;

/** Nodes of the graph and all its bodies. */
function nodeCount(p: ParsedOnnx): number {
  return p.summary.nodes.length + (p.summary.subgraphs ?? []).reduce((n, b) => n + b.nodes.length, 0);
}

/** The parsed graph once analyzed, the analysis started on first call; analysis never fails a graph (it records why it stopped), so neither does this. */
function analyzedOf(graph: CachedGraph): Promise<ParsedOnnx> {
  if (!graph.analyzed) {
    graph.analyzed = graph.parsed.then((p) => analyzeGraph(p, graph.abs).catch(() => p));
    graph.analyzed.then(
      () => (graph.analysisDone = true),
      () => undefined, // a failed parse is reported to whoever asked for it
    );
  }
  return graph.analyzed;
}

export class GraphService {
  /** By repoId + file path: the newest parse of each file. */
  private readonly byFile = new Map<string, CachedGraph>();
  private readonly byId = new Map<string, CachedGraph>();
  /** Recently viewed initializers, oldest first (Map keeps insertion order). */
  private readonly tensors = new Map<string, { tensor: Tensor; bytes: number }>();
  private tensorBytes = 0;
  readonly netron: NetronLauncher;
  private readonly inlineAnalysisNodes: number;

  constructor(
    private readonly repository: (repoId: string) => Repository,
    private readonly options: GraphServiceOptions = {},
  ) {
    this.netron = new NetronLauncher(options.netron);
    this.inlineAnalysisNodes = options.inlineAnalysisNodes ?? INLINE_ANALYSIS_NODES;
  }

  /**
   * The model file as the loader and ONNX Runtime find it: its name may not lead out of the version
   * folder, but a link placed there (weights kept elsewhere) is followed, as loading follows it.
   * External data is then looked for next to that name, as ONNX Runtime does.
   */
  private modelFile(t: GraphTarget): ModelFile & { repo: Repository } {
    const repo = this.repository(t.repoId);
    const rec = repo.models.get(t.model);
    if (!rec) throw unknownModel(t.model);
    return { ...resolveModelFile(repo.root, rec, t.version), repo };
  }

  private async parsed(t: GraphTarget): Promise<{ file: ModelFile & { repo: Repository }; graph: CachedGraph; parsed: ParsedOnnx }> {
    const file = this.modelFile(t);
    const st = await stat(file.abs).catch(() => {
      throw new LabError('NOT_FOUND', `the model file '${file.rel}' does not exist`);
    });
    const key = `${t.repoId}\0${file.abs}`;
    let graph = this.byFile.get(key);
    if (!graph || graph.mtimeMs !== st.mtimeMs || graph.size !== st.size) {
      if (graph) this.drop(graph);
      const graphId = `g-${createHash('sha1').update(`${key}\0${st.mtimeMs}\0${st.size}`).digest('hex').slice(0, 20)}`;
      const fresh: CachedGraph = { graphId, repoId: t.repoId, abs: file.abs, mtimeMs: st.mtimeMs, size: st.size, parsed: parseOnnxFile(file.abs, this.options) };
      graph = fresh;
      this.byFile.set(key, fresh);
      this.byId.set(graphId, fresh);
      // Summaries of 10,000-node graphs are megabytes: keep the most recently opened ones only.
      for (const old of [...this.byId.values()].slice(0, Math.max(0, this.byId.size - MAX_GRAPHS))) this.drop(old);
      // A failed parse is not cached: the next request tries again (the file may be fixed by then).
      fresh.parsed.catch(() => {
        if (this.byFile.get(key) === fresh) this.drop(fresh);
      });
    }
    // Most recently used last, so the cache limit drops the graph looked at longest ago.
    this.byId.delete(graph.graphId);
    this.byId.set(graph.graphId, graph);
    const parsed = await graph.parsed;
    graph.done ??= { parsed, byName: new Map(parsed.summary.initializers.map((e, i) => [e.name, i])) };
    return { file, graph, parsed };
  }

  /**
   * The summary; a big graph's comes before its analysis (analysisPending) so
   * the view can paint while inference runs, and `graphAnalysis` brings the rest.
   */
  async modelGraph(t: GraphTarget): Promise<GraphSummary> {
    const { file, graph, parsed } = await this.parsed(t);
    const head = { graphId: graph.graphId, repoId: t.repoId, model: t.model, version: file.version.version, file: file.rel };
    if (nodeCount(parsed) <= this.inlineAnalysisNodes || graph.analysisDone) return { ...head, ...(await analyzedOf(graph)).summary };
    return { ...head, ...parsed.summary, analysisPending: true };
  }

  /** What analysis added to a graph (previews, inferred types), once it is done. */
  async graphAnalysis(graphId: string): Promise<GraphAnalysis> {
    const graph = this.byId.get(graphId);
    const parsed = graph ? await analyzedOf(graph).catch(() => undefined) : undefined;
    if (!graph || !parsed) throw new LabError('NOT_FOUND', `no open graph with id '${graphId}' (its repository was closed or the model file changed); open the graph again`);
    const s = parsed.summary;
    const previews: Record<number, string> = {};
    s.initializers.forEach((t, i) => t.preview !== undefined && (previews[i] = t.preview));
    const bodies: GraphAnalysis['bodies'] = {};
    for (const b of s.subgraphs ?? []) if (b.inferred) bodies[b.id] = b.inferred;
    return { graphId, previews, bodies, ...(s.inferred ? { inferred: s.inferred } : {}), ...(s.shapeInference ? { shapeInference: s.shapeInference } : {}) };
  }

  async configFromModel(t: GraphTarget): Promise<ConfigFromModel> {
    const { file, parsed } = await this.parsed(t);
    return configFromModel(parsed.io, {
      model: t.model,
      ...(file.config ? { current: file.config } : {}),
      defaultMaxBatchSize: file.repo.options.defaultMaxBatchSize,
    });
  }

  netronStatus(): { available: boolean; path?: string } {
    return this.netron.status();
  }

  async openInNetron(t: GraphTarget): Promise<{ url: string }> {
    return { url: await this.netron.open(this.modelFile(t).abs) };
  }

  /** A graph this service read, by id, for "Run to see": NOT_FOUND once it is gone, UNAVAILABLE when its file changed since. */
  async graphFile(graphId: string): Promise<{ abs: string; repoId: string; parsed: ParsedOnnx }> {
    const graph = this.byId.get(graphId);
    // Analyzed: the observation sizes values from the inferred dims before it runs.
    const parsed = graph ? await analyzedOf(graph).catch(() => undefined) : undefined;
    if (!graph || !parsed) throw new LabError('NOT_FOUND', `no open graph with id '${graphId}' (its repository was closed or the model file changed); open the graph again`);
    const st = await stat(graph.abs).catch(() => undefined);
    if (!st || st.mtimeMs !== graph.mtimeMs || st.size !== graph.size) throw new LabError('UNAVAILABLE', `'${graph.abs}' changed or disappeared since its graph was read; open the graph again`);
    return { abs: graph.abs, repoId: graph.repoId, parsed };
  }

  /** An initializer (or TENSOR attribute value) of a graph this service summarized. */
  tensor(ref: TensorRef): Tensor {
    const graph = this.byId.get(ref.runId);
    if (!graph?.done) throw new LabError('NOT_FOUND', `no open graph with id '${ref.runId}' (its repository was closed or the model file changed); open the graph again`);
    const key = `${graph.graphId}\0${ref.name}`;
    const hit = this.tensors.get(key);
    if (hit) {
      this.tensors.delete(key);
      this.tensors.set(key, hit);
      return hit.tensor;
    }
    const index = graph.done.byName.get(ref.name);
    if (index === undefined) throw new LabError('NOT_FOUND', `the graph has no initializer named '${ref.name}'`);
    const st = (() => {
      try {
        return statSync(graph.abs);
      } catch {
        return undefined;
      }
    })();
    if (!st || st.mtimeMs !== graph.mtimeMs || st.size !== graph.size) {
      throw new LabError('UNAVAILABLE', `'${graph.abs}' changed or disappeared since its graph was read; open the graph again`);
    }
    const locator = graph.done.parsed.locators[index]!;
    const tensor = readInitializer(graph.abs, locator, this.options.maxViewBytes ?? MAX_VIEW_BYTES);
    this.remember(key, tensor);
    return tensor;
  }

  private remember(key: string, tensor: Tensor): void {
    const bytes = isBytesData(tensor.data) ? tensor.data.reduce((n, b) => n + b.byteLength, 0) : tensor.data.byteLength;
    const budget = this.options.tensorCacheBytes ?? 512 * 2 ** 20;
    this.tensors.set(key, { tensor, bytes });
    this.tensorBytes += bytes;
    // Keep at least the newest one, so paging a large tensor does not re-read it for every page.
    for (const [k, v] of this.tensors) {
      if (this.tensorBytes <= budget || this.tensors.size <= 1) break;
      this.tensors.delete(k);
      this.tensorBytes -= v.bytes;
    }
  }

  private drop(graph: CachedGraph): void {
    this.byId.delete(graph.graphId);
    for (const [k, g] of this.byFile) if (g === graph) this.byFile.delete(k);
    const prefix = `${graph.graphId}\0`;
    for (const [k, v] of this.tensors) {
      if (!k.startsWith(prefix)) continue;
      this.tensors.delete(k);
      this.tensorBytes -= v.bytes;
    }
  }

  /** Forgets a closed repository's graphs. */
  forget(repoId: string, root?: string): void {
    for (const g of [...this.byId.values()]) if (g.repoId === repoId) this.drop(g);
    if (!root) return;
    this.netron.stopUnder(root);
  }

  async close(): Promise<void> {
    for (const g of [...this.byId.values()]) this.drop(g);
    await this.netron.close();
  }
}
