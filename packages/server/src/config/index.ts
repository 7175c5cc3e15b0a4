/** The parameters: versions effective from a business day, and the /admin/config API. */

export {
  addConfigVersion,
  configForDay,
  DEFAULT_SERVER_PARAMS_INPUT,
  type EffectiveConfig,
  isEmptyPatch,
  listConfigVersions,
  parseServerParams,
  previewConfig,
  type ServerParams,
} from "./versions.ts";
