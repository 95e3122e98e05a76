/**
 * Resolves the path inside an `idx:<dir>` or `csv:<path>` dataset id. The id can come from a
 * request body, so the path is checked before anything is read: no `..` segments, no NUL, and,
 * when the server names allowed folders, nothing outside them (symlinks resolved).
 *
 * @module
 */

/** An absolute path for `raw` (relative paths resolve against `Deno.cwd()`). */
export async function resolveDatasetPath(
  id: string,
  raw: string,
  allowedRoots?: string[],
): Promise<string> {
  if (raw.trim() === "") throw new Error(`Dataset "${id}" needs a path after the colon`);
  if (raw.includes("\0")) throw new Error(`Dataset path in "${printable(id)}" contains a NUL byte`);
  if (raw.split(/[\\/]/).includes("..")) {
    throw new Error(`Dataset path "${raw}" must not contain ".." segments`);
  }
  const absolute = isAbsolute(raw) ? raw : `${Deno.cwd()}/${raw}`;
  if (allowedRoots && allowedRoots.length > 0) {
    const real = await realOrSelf(absolute);
    const roots = await Promise.all(allowedRoots.map(realOrSelf));
    if (!roots.some((root) => isInside(real, root))) {
      throw new Error(
        `Dataset path "${raw}" is outside the allowed folders: ${allowedRoots.join(", ")}`,
      );
    }
  }
  return absolute;
}

function isAbsolute(path: string): boolean {
  return path.startsWith("/") || path.startsWith("\\") || /^[A-Za-z]:[\\/]/.test(path);
}

function isInside(path: string, root: string): boolean {
  const prefix = root.endsWith("/") ? root : `${root}/`;
  return path === root || path.startsWith(prefix);
}

/** The symlink-free path, or the path itself while it does not exist (the loader reports that). */
async function realOrSelf(path: string): Promise<string> {
  try {
    return await Deno.realPath(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return path;
    throw error;
  }
}

function printable(text: string): string {
  return text.replaceAll("\0", "\\0");
}
