import { describe, expect, it } from "vitest";
import { presetNames } from "../src/cli/scenario-arg.js";
import { countersArrays } from "../src/engine/counters.js";
import { compileModel } from "../src/engine/model.js";
import { simulate } from "../src/engine/run.js";
import { applyKnobs, KNOBS, type Knobs } from "../web/knobs.js";
import { preset } from "./helpers.js";

// The lab's sliders: at the preset's own value a slider changes nothing, and each
// moves the field its label names.

describe("lab sliders", () => {
  it("set to the preset's own values, change nothing, in every preset", () => {
    for (const name of presetNames()) {
      const s = preset(name);
      const own: Knobs = {};
      for (const k of KNOBS) {
        const v = k.read(s);
        if (typeof v === "number") own[k.key] = v;
      }
      expect(applyKnobs(s, own), name).toEqual(s);
    }
  });

  it("move the fields their labels name", () => {
    const s = preset("fused-city");
    const t = applyKnobs(s, { sensorError: 2, groupError: 3, threshold: 900, joint: 0, appealCapacity: 5, fear: 2 });
    for (const [name, src] of Object.entries(s.sources))
      for (const [b, r] of Object.entries(src.falseRate)) expect(t.sources[name].falseRate[b]).toBeCloseTo(Math.min(1, 2 * r), 12);
    for (const [name, src] of Object.entries(s.sources))
      if (Object.values(src.falseRate).some((r) => r > 0)) expect(t.sources[name].groupFalseMult.b).toBeCloseTo(3 * (src.groupFalseMult.b ?? 1), 12);
    expect(t.listing.enterBelow).toBe(900);
    expect(t.listing.joint).toBe(false);
    expect(t.appeals?.capacityPerMillion).toBe(5);
    expect(t.fear?.self).toBeCloseTo(2 * (s.fear?.self ?? 0), 12);
    expect(t.fear?.social).toBeCloseTo(2 * (s.fear?.social ?? 0), 12);
  });

  it("a slider said not to apply really changes nothing: the threshold where scores never move, joint punishment within one domain", () => {
    const counters = (sc: ReturnType<typeof preset>) => countersArrays(simulate(compileModel(sc))).map((a) => Array.from(a));
    const unavailable = { threshold: [] as string[], joint: [] as string[] };
    for (const name of presetNames()) {
      const s = preset(name);
      s.population.agents = 2000;
      s.days = Math.min(s.days, 120);
      for (const key of ["threshold", "joint"] as const) {
        const def = KNOBS.find((k) => k.key === key);
        if (!def || typeof def.read(s) === "number") continue;
        unavailable[key].push(name);
        const moved = structuredClone(s);
        // the change the slider would make: the threshold anywhere up to the start, joint flipped
        if (key === "threshold") moved.listing.enterBelow = Math.min(s.scoring.start, (s.scoring.min + s.scoring.start) / 2);
        else moved.listing.joint = !s.listing.joint;
        expect(counters(moved), `${name}: ${key}`).toEqual(counters(s));
      }
    }
    expect(unavailable.threshold).toContain("midas"); // the cases the review found
    expect(unavailable.joint).toContain("midas");
    expect(typeof KNOBS.find((k) => k.key === "joint")?.read(preset("fused-city"))).toBe("number");
  });
});
