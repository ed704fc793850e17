import { Resvg } from "@resvg/resvg-js";

/** Renders an SVG chart to PNG here (no browser), at twice its size for print. */
export function svgToPng(svg: string, width = 1360): Uint8Array {
  const resvg = new Resvg(svg, {
    fitTo: { mode: "width", value: width },
    background: "white",
    font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans", sansSerifFamily: "DejaVu Sans" },
  });
  return resvg.render().asPng();
}
