import { describe, expect, it } from "vitest";
import { renderHtml } from "../../reports/html.js";
import type { Result } from "../../sim/metrics/result.js";
import { sampleResult } from "./sample-result.js";

function markupOnly(html: string): string {
  return html.replace(/(<script\b[^>]*>)[\s\S]*?(<\/script>)/gi, "$1$2");
}

/** The events table of a page. */
function eventsBlock(result: Result): string {
  const markup = markupOnly(renderHtml(result));
  const match = /<div class="events-block">[\s\S]*?<\/table><\/div>[\s\S]*?<\/div>/.exec(markup);
  if (!match) throw new Error("no events table");
  return match[0];
}

/** The rows of one event (by its heading, e.g. "45m: drain s4"), keyed by strategy. */
function eventRows(block: string, heading: string): Record<string, string> {
  const body = block.split("<tbody>").find((b) => b.includes(`<th colspan="10">${heading}</th>`) || b.includes(`<th colspan="9">${heading}</th>`));
  if (!body) throw new Error(`no event "${heading}"`);
  const rows = body.split("<tr>").filter((row) => row.includes('scope="row"'));
  return Object.fromEntries(rows.map((row) => [/scope="row" class="name">([^<]*)</.exec(row)![1], row]));
}

/** The text of a row's cells, tags stripped. */
function cells(row: string): string[] {
  return [...row.matchAll(/<td\b[^>]*>([\s\S]*?)<\/td>/g)].map((m) => m[1].replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim());
}

describe("topology events table", () => {
  const block = eventsBlock(sampleResult());

  it("heads moved, must-move and lost columns, and a drained-server column when the run drains", () => {
    for (const header of ["Active sessions", "Returned", "Moved", "share", "Must move", "minimum", "balanced", "Lost because of the event", "of active", "Drained server"]) {
      expect(block).toContain(`>${header}</th>`);
    }
    expect(block).toContain("30m: crash s2");
    expect(block).toContain("45m: drain s4");
    expect(block).toContain("52m: add s5");
  });

  it("shows every figure with its 95% half-width: the sessions, the moved share, the minimum and the balanced share", () => {
    const row = cells(eventRows(block, "30m: crash s2")["nginx-ip-hash"]);
    // active, returned, moved, share, minimum, balanced (a half-width of 0 is not shown), lost, lost share, drained;
    // the sample's half-widths are 3% of the active and returned sessions, 5% of the moved ones and of the minimum.
    expect(row.slice(0, 6)).toEqual(["2,412 ± 72", "2,098 ± 63", "550 ± 28", "26.2% ± 1%", "24.9% ± 1.2%", "24.9%"]);
    const add = cells(eventRows(block, "52m: add s5")["round-robin &amp; redis"]);
    expect(add[4]).toBe("0%");
    expect(add[5]).toBe("20%");
  });

  it("shows the sessions lost because of the event, their share of the active and their causes", () => {
    const crash = eventRows(block, "30m: crash s2");
    // The sample's half-widths are 8% of each loss count.
    expect(cells(crash["nginx-ip-hash"]).slice(6, 8)).toEqual(["600 ± 48 server crash 600 ± 48", "24.9% ± 2%"]);
    expect(crash["nginx-ip-hash"]).toMatch(/title="Remapped: 0 · Server crash: 600 ± 48 · Server stopped: 0 · Drain deadline: 0 · Store outage: 0 · Store data loss: 0 · Store switched: 0"/);
    const drain = eventRows(block, "45m: drain s4");
    expect(cells(drain["nginx-ip-hash"]).slice(6, 8)).toEqual(["121 ± 9.7 remapped 121 ± 9.7", "5.06% ± 0.41%"]);
    expect(cells(drain["cookie-insert"]).slice(6, 8)).toEqual(["37 ± 3 drain deadline 37 ± 3", "1.55% ± 0.12%"]);
    // A shared store loses nothing, whatever it moves.
    expect(cells(drain["round-robin &amp; redis"]).slice(6, 8)).toEqual(["0", "0%"]);
  });

  it("shows how long a drained server took to empty, or that it was still in use at the deadline", () => {
    const drain = eventRows(block, "45m: drain s4");
    expect(cells(drain["round-robin &amp; redis"])[8]).toBe("emptied after 41.5s ± 8.3s");
    expect(cells(drain["nginx-ip-hash"])[8]).toBe("emptied after 12.3s ± 2.5s");
    expect(cells(drain["cookie-insert"])[8]).toBe("still in use at the deadline");
    // Other events have nothing to drain.
    expect(cells(eventRows(block, "30m: crash s2")["cookie-insert"])[8]).toBe("–");
  });

  it("reads a drain of more than a minute in minutes and seconds", () => {
    const result = sampleResult();
    const drain = result.results[0].events.find((e) => e.action === "drain")!;
    drain.emptiedAfter = 125;
    drain.ci95 = { ...drain.ci95, emptiedAfter: null };
    expect(cells(eventRows(eventsBlock(result), "45m: drain s4")["round-robin &amp; redis"])[8]).toBe("emptied after 2m 5s");
  });

  it("colours losses by their share of the active sessions, and no move", () => {
    const drain = eventRows(block, "45m: drain s4");
    expect(drain["nginx-ip-hash"]).toContain('<td class="loss3"'); // 5.06%
    expect(drain["cookie-insert"]).toContain('<td class="loss2"'); // 1.55%
    expect(eventRows(block, "30m: crash s2")["cookie-insert"]).toContain('<td class="loss4"'); // 24.9%
    expect(drain["round-robin &amp; redis"]).not.toMatch(/class="loss/);
    // round-robin & redis moves three sessions in four: not marked, the shared store makes it free.
    expect(block).not.toMatch(/class="excess"/);
    expect(block).toContain("A move is only a loss where the store makes it one");
    expect(block).toMatch(/shared store or client-side tokens a move costs nothing/);
  });

  it("leaves out the drained-server column when nothing drains", () => {
    const result = sampleResult();
    for (const r of result.results) r.events = r.events.filter((e) => e.action === "crash" || e.action === "recover");
    const plain = eventsBlock(result);
    expect(plain).not.toContain("Drained server");
    expect(plain).toContain('<th colspan="9">30m: crash s2</th>');
    expect(cells(eventRows(plain, "30m: crash s2")["cookie-insert"])).toHaveLength(8);
  });

  it("says so when there are no events", () => {
    const result = sampleResult();
    for (const r of result.results) r.events = [];
    expect(markupOnly(renderHtml(result))).toContain("No topology events in this scenario.");
  });
});
