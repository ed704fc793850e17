/** The preset `credsim run` and the lab start from when none is named. */
export const DEFAULT_PRESET = "fused-city";
