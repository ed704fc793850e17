import { resolve, sep } from "node:path";
import { InputError } from "../scenario/errors.js";

// An output folder is replaced or filled by credsim: never the empty path (which
// some file calls take for the current folder and others for no folder at all),
// the current folder or a folder that holds it.

/** Refuses an --out that is empty, the current folder or one of its ancestors. */
export function checkOutPath(out: string, flag = "--out"): void {
  if (out.trim() === "") throw new InputError(flag, [{ field: "", message: "is empty; expected a folder for the results" }]);
  const target = resolve(out);
  const here = process.cwd();
  if (target === here || here.startsWith(target.endsWith(sep) ? target : target + sep)) {
    throw new InputError(out, [
      { field: flag, message: `is the current folder${target === here ? "" : " or one that holds it"}; expected a folder of its own for the results` },
    ]);
  }
}
