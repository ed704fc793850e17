import { describe, expect, it } from "vitest";
import { presetNames } from "../src/cli/scenario-arg.js";
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
});
