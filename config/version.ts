/**
 * ajuste's version: in `GET /api/health`, the OpenAPI document and every weights file's metadata.
 *
 * @module
 */

export const VERSION = "0.1.0";
