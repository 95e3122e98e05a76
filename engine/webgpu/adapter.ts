/**
 * The one way ajuste asks WebGPU for an adapter: on the native backends only.
 *
 * Unless `DENO_WEBGPU_BACKEND` says otherwise, wgpu (Deno's WebGPU) enumerates its OpenGL backend
 * beside the native one. ajuste never trains on it, and on Linux it is harmful: in every thread
 * that requests an adapter, Mesa's libEGL loads a second software driver (`swrast_dri.so`, with
 * its own llvmpipe threads), and at process exit libEGL's destructor tears that down while other
 * threads still run. That was the `corrupted size vs. prev_size in fastbins` abort that ended
 * about one `deno test --parallel` in ten after every test had passed: its core dump shows the
 * main thread inside libEGL's destructor (`_dl_fini`) and an exiting thread finding its heap
 * arena corrupted (issue 22).
 *
 * @module
 */

/** wgpu's native backends (`Backends::from_comma_list`): what ajuste's kernels are built for. */
export const NATIVE_BACKENDS = "vulkan,metal,dx12";

/** The variable Deno's WebGPU reads when a thread makes its first adapter request. */
export const BACKEND_VARIABLE = "DENO_WEBGPU_BACKEND";

/** The part of `Deno.env` this needs, so tests can hand in their own. */
export type Env = Pick<typeof Deno.env, "get" | "set">;

/**
 * Limits WebGPU to the native backends, unless the user chose backends themselves. Takes effect
 * for threads that have not requested an adapter yet. Without `--allow-env` it does nothing.
 */
export function useNativeBackends(env: Env = Deno.env): void {
  try {
    if (env.get(BACKEND_VARIABLE) === undefined) env.set(BACKEND_VARIABLE, NATIVE_BACKENDS);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotCapable)) throw error;
  }
}

/** The adapter WebGPU offers on a native backend, or null (no WebGPU, or no driver). */
export async function requestAdapter(
  options: GPURequestAdapterOptions = { powerPreference: "high-performance" },
  gpu: Pick<GPU, "requestAdapter"> | null = navigator.gpu ?? null,
): Promise<GPUAdapter | null> {
  if (!gpu) return null;
  useNativeBackends();
  return await gpu.requestAdapter(options);
}
