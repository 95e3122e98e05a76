/**
 * How a WGSL kernel becomes a compute pipeline: its source is `shaders/<name>.wgsl` with the
 * shader libraries it names prepended (WGSL has no include), its bindings are declared once by
 * its host file in `engine/kernels/<name>.ts`, and shapes arrive as `override` constants. Compile
 * and validation errors are rethrown with the kernel's name and the compiler's messages.
 *
 * Every kernel uses bind group 0 for its storage buffers and, when it reads per-step scalars,
 * bind group 1 for the step uniform (`shaders/step_params.wgsl`) with a dynamic offset.
 *
 * @module
 */

/** Access of one storage binding of group 0, in binding order. */
export type StorageAccess = "read" | "read_write";

/** What a kernel's host file declares about its shader. */
export interface KernelDefinition {
  /** Stem of `shaders/<name>.wgsl` and `engine/kernels/<name>.ts`. */
  name: string;
  /** Library stems (`shaders/<stem>.wgsl`, no entry points) prepended to the kernel source. */
  libraries: readonly string[];
  entryPoint: string;
  /** Group 0's storage bindings, binding 0 first. */
  bindings: readonly StorageAccess[];
  /** Whether group 1 holds the per-step uniform. */
  usesStep: boolean;
}

/** A compiled kernel: the pipeline and the layout its group-0 bind groups are made for. */
export interface Kernel {
  readonly definition: KernelDefinition;
  readonly pipeline: GPUComputePipeline;
  readonly layout: GPUBindGroupLayout;
  /** Override values it was built with (shapes, offsets, hyperparameters). */
  readonly constants: Readonly<Record<string, number>>;
}

const sources = new Map<string, Promise<string>>();

/** Text of `shaders/<stem>.wgsl`, read once per process. */
export function shaderSource(stem: string): Promise<string> {
  let source = sources.get(stem);
  if (!source) {
    const url = new URL(`../../shaders/${stem}.wgsl`, import.meta.url);
    source = fetch(url).then((response) => {
      if (!response.ok) throw new Error(`Shader file ${url.pathname} could not be read`);
      return response.text();
    });
    sources.set(stem, source);
  }
  return source;
}

/** The kernel's full WGSL: its libraries, then its own file. */
export async function kernelSource(definition: KernelDefinition): Promise<string> {
  const parts = await Promise.all(
    [...definition.libraries, definition.name].map((stem) => shaderSource(stem)),
  );
  return parts.join("\n");
}

/** The group-1 layout every per-step kernel shares: one uniform slot, dynamic offset. */
export function createStepLayout(device: GPUDevice, slotSize: number): GPUBindGroupLayout {
  return device.createBindGroupLayout({
    label: "step params",
    entries: [{
      binding: 0,
      visibility: GPUShaderStage.COMPUTE,
      buffer: { type: "uniform", hasDynamicOffset: true, minBindingSize: slotSize },
    }],
  });
}

/**
 * Compiles `definition` with `constants` for its overrides. Throws an Error naming the kernel
 * when the shader does not compile or the pipeline does not validate.
 */
export async function compileKernel(
  device: GPUDevice,
  definition: KernelDefinition,
  constants: Record<string, number>,
  stepLayout: GPUBindGroupLayout,
): Promise<Kernel> {
  const { name, entryPoint } = definition;
  const code = await kernelSource(definition);
  const layout = device.createBindGroupLayout({
    label: name,
    entries: definition.bindings.map((access, binding) => ({
      binding,
      visibility: GPUShaderStage.COMPUTE,
      buffer: { type: access === "read" ? "read-only-storage" : "storage" },
    })),
  });
  device.pushErrorScope("validation");
  const module = device.createShaderModule({ label: name, code });
  const info = await module.getCompilationInfo();
  const compileError = await device.popErrorScope();
  const errors = info.messages.filter((message) => message.type === "error");
  if (errors.length > 0 || compileError) {
    const details = errors.map((message) => message.message.trim()).join("\n");
    throw new Error(`Kernel ${name} does not compile:\n${details || compileError?.message}`);
  }
  const bindGroupLayouts = definition.usesStep ? [layout, stepLayout] : [layout];
  device.pushErrorScope("validation");
  let pipeline: GPUComputePipeline;
  try {
    pipeline = await device.createComputePipelineAsync({
      label: `${name}.${entryPoint}`,
      layout: device.createPipelineLayout({ label: name, bindGroupLayouts }),
      compute: { module, entryPoint, constants },
    });
  } catch (error) {
    await device.popErrorScope();
    throw new Error(`Kernel ${name} (${entryPoint}) has an invalid pipeline: ${errorText(error)}`);
  }
  const pipelineError = await device.popErrorScope();
  if (pipelineError) {
    throw new Error(
      `Kernel ${name} (${entryPoint}) has an invalid pipeline: ${pipelineError.message.trim()}`,
    );
  }
  return { definition, pipeline, layout, constants };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message.trim() : String(error);
}

/** Throws unless `value` is an integer in [min, max]; `what` names it in the message. */
export function assertInteger(what: string, value: number, min: number, max = 2 ** 32 - 1): void {
  if (!(Number.isInteger(value) && value >= min && value <= max)) {
    throw new RangeError(`${what} must be an integer in [${min}, ${max}], got ${value}`);
  }
}

/** Throws unless `buffer` holds at least `floats` 4-byte words; names the kernel and binding. */
export function assertCapacity(kernel: string, binding: string, buffer: GPUBuffer, words: number) {
  if (buffer.size < words * 4) {
    throw new RangeError(
      `Kernel ${kernel} needs ${words * 4} bytes in ${binding}, got a buffer of ${buffer.size}`,
    );
  }
}

/** One bound kernel ready to encode: its pipeline, group-0 resources and grid for a step. */
export interface Dispatch {
  readonly kernel: Kernel;
  readonly bindGroup: GPUBindGroup;
  /** Largest `rows` the bound buffers hold. */
  readonly maxRows: number;
  /** Workgroups for a step of `rows` rows. */
  workgroups(rows: number): [number, number, number];
}

/** Makes the group-0 bind group of `kernel` from `buffers`, in binding order. */
export function bindKernel(
  device: GPUDevice,
  kernel: Kernel,
  buffers: readonly GPUBuffer[],
): GPUBindGroup {
  const expected = kernel.definition.bindings.length;
  if (buffers.length !== expected) {
    throw new RangeError(
      `Kernel ${kernel.definition.name} binds ${expected} buffers, got ${buffers.length}`,
    );
  }
  return device.createBindGroup({
    label: kernel.definition.name,
    layout: kernel.layout,
    entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
}

/**
 * Records `dispatches` for one step of `rows` rows whose scalars sit at `stepOffset` in the step
 * uniform buffer bound by `stepGroup`. Group 1 is set once per step: bind groups outlive
 * setPipeline, and every per-step kernel's layout shares the step layout.
 */
export function encodeStep(
  pass: GPUComputePassEncoder,
  dispatches: readonly Dispatch[],
  stepGroup: GPUBindGroup,
  stepOffset: number,
  rows: number,
): void {
  pass.setBindGroup(1, stepGroup, [stepOffset]);
  for (const dispatch of dispatches) encodeDispatch(pass, dispatch, rows);
}

/** Records `dispatch` for `rows` rows; a per-step kernel needs group 1 set (see encodeStep). */
export function encodeDispatch(
  pass: GPUComputePassEncoder,
  dispatch: Dispatch,
  rows: number,
): void {
  if (rows > dispatch.maxRows) {
    throw new RangeError(
      `Kernel ${dispatch.kernel.definition.name} was bound for ${dispatch.maxRows} rows, got ${rows}`,
    );
  }
  pass.setPipeline(dispatch.kernel.pipeline);
  pass.setBindGroup(0, dispatch.bindGroup);
  const [x, y, z] = dispatch.workgroups(rows);
  if (x > 0 && y > 0 && z > 0) pass.dispatchWorkgroups(x, y, z);
}
