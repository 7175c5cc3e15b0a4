export { AppError, type AppErrorOptions, type ErrorDetail, fail } from "./app-error.ts";
export { type AppErrorCode, CATALOGUE, type ErrorSpec, engineStatus } from "./catalogue.ts";
export { type ErrorBody, ErrorBodySchema, toAppError, toErrorBody } from "./error-body.ts";
