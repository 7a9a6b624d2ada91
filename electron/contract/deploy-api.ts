/**
 * Types of the lab API for taking a repository to Triton: the portability
 * report (what runs on Triton as it is, what needs Python packages, what is
 * lab-only), the deployment export (repository + Dockerfile + compose +
 * Kubernetes manifests + README), and the conversion of a TorchScript model
 * to ONNX with both answers compared.
 */

/**
 * - `as-is`: Triton loads it unchanged (ONNX, PyTorch, ensembles of portable members, Python models
 *   that import only the standard library and what Triton's image has);
 * - `needs-packages`: a Python model whose imports need packages installed in the image (`packages`);
 * - `lab-only`: Triton cannot load it (the lab's script backend, or a lab-only setting it relies on).
 */
export type PortabilityVerdict = 'as-is' | 'needs-packages' | 'lab-only';

/** A model that can stand in for a lab-only one on Triton: same name, same tensors, Python backend. */
export interface PythonTwin {
  /** The twin's repository folder (absolute). */
  repository: string;
  /** Its folder name, e.g. "ocr_ensemble_python". */
  repositoryName: string;
  model: string;
}

export interface ModelPortability {
  model: string;
  /** The backend or platform as completed ("onnxruntime", "python", "script", "ensemble", "pytorch", …). */
  backend: string;
  verdict: PortabilityVerdict;
  /** pip package names its Python code needs (read from its imports), sorted; empty when none. */
  packages: string[];
  /** Packages it imports only when present (inside `try: … except ImportError`): it runs without them. */
  optionalPackages: string[];
  /** For a lab-only model: its Python twin, when one was found. */
  twin?: PythonTwin;
  /** Why, in one or more sentences a user can act on (e.g. "uses the lab-only config parameter PYTHON_EXECUTABLE"). */
  reasons: string[];
}

export interface PortabilityReport {
  repository: string;
  /** Every model of the repository, by name. */
  models: ModelPortability[];
  /** The repository Python twins were looked for in (a sibling `<name>_python` folder unless given), if any. */
  twinsRepository?: string;
  /** The Triton server image the export would build on, e.g. "nvcr.io/nvidia/tritonserver:25.01-py3". */
  tritonImage: string;
}

export interface DeploymentExportRequest {
  repoId: string;
  /** An absolute folder that does not exist yet or is empty: nothing is ever overwritten. */
  outDir: string;
  /** Swap lab-only script models for their Python twins. */
  useTwins?: boolean;
  /** GPUs each Triton pod asks for (`nvidia.com/gpu`); 0 for CPU only. Default 1. */
  gpus?: number;
  /** The image name the manifests refer to (default `model-lab/<repository>:latest`). */
  image?: string;
  /** Where the Python twins are (a repository folder); default: the sibling `<repository>_python`. */
  twins?: string;
}

export interface ExportedFile {
  /** Relative to the export folder, with forward slashes. */
  path: string;
  bytes: number;
}

export interface DeploymentExport {
  outDir: string;
  /** The report the export was made from (after twins were swapped in, when asked). */
  report: PortabilityReport;
  /** Models written from their Python twin instead of the lab-only original. */
  swapped: string[];
  /** Lab-only models written as they are (Triton will not load them): the README says so too. */
  labOnly: string[];
  files: ExportedFile[];
  /** What was not copied, with why (links leading out of a model folder, FIFOs, devices), as "model/path: why". */
  skipped?: string[];
}

export interface OnnxConversionRequest {
  repoId: string;
  model: string;
  version?: number;
}

/** One output compared between the TorchScript model and its ONNX export on the same inputs. */
export interface OnnxOutputComparison {
  name: string;
  shape: number[];
  maxAbsDiff: number;
}

export interface OnnxConversion {
  /** The written model.onnx (absolute), in a model folder with its config.pbtxt. */
  onnxPath: string;
  /** The repository folder the converted model was written into, opened in the lab. */
  repository: string;
  repoId: string;
  model: string;
  opset: number;
  /** How many seeded random inputs both models answered. */
  samples: number;
  outputs: OnnxOutputComparison[];
  /** The largest of the outputs' differences. */
  maxAbsDiff: number;
  /** The Python and torch versions that exported it. */
  torch: string;
}
