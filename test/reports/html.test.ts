import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reportCharts } from "../../reports/charts.js";
import { renderHtml, safeScriptText } from "../../reports/html.js";
import { launchBrowser, openPage, renderedCharts } from "./browser.js";
import { sampleResult } from "./sample-result.js";

const XSS = "<script>alert(1)</script>";

/** The page without the bodies of its script elements (the inlined Vega code is full of URL strings). */
function markupOnly(html: string): string {
  return html.replace(/(<script\b[^>]*>)[\s\S]*?(<\/script>)/gi, "$1$2");
}

function embeddedJson(html: string, id: string): unknown {
  const match = new RegExp(`<script type="application/json" id="${id}">([\\s\\S]*?)</script>`).exec(html);
  if (!match) throw new Error(`no embedded JSON block #${id}`);
  return JSON.parse(match[1]);
}

describe("renderHtml", () => {
  const html = renderHtml(sampleResult());
  const markup = markupOnly(html);

  it("loads nothing from the network", () => {
    const attributes = [...markup.matchAll(/\s(?:src|href|srcset|poster|data|action|formaction)\s*=\s*["']?([^"'\s>]*)/gi)];
    const remote = attributes.map((m) => m[1]).filter((url) => /^(?:[a-z][a-z0-9+.-]*:)?\/\//i.test(url));
    expect(remote).toEqual([]);
    expect(markup).not.toMatch(/<script\b[^>]*\bsrc\s*=/i);
    expect(markup).not.toMatch(/<link\b/i);
    expect(markup).not.toMatch(/url\(|@import/i);
    expect(markup).not.toMatch(/https?:\/\//i);
  });

  it("inlines vega, vega-lite and vega-embed", () => {
    expect(html.length).toBeGreaterThan(600_000);
    const scripts = [...html.matchAll(/<script\b([^>]*)>/gi)].map((m) => m[1]);
    expect(scripts.filter((attrs) => !/type="application\/json"/.test(attrs))).toHaveLength(4);
  });

  it("shows every strategy name, escaped", () => {
    for (const r of sampleResult().results) {
      const escaped = r.strategy.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
      expect(markup).toContain(escaped);
    }
    expect(markup).toContain("round-robin &amp; redis");
  });

  it("puts the sections in order", () => {
    const order = ["<h1>quickstart</h1>", 'id="scorecard"', 'id="chart-lostSessionRate"', 'id="chart-timeline"', "Topology events", 'id="how-to-read"'];
    const positions = order.map((s) => markup.indexOf(s));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it("formats the scorecard and highlights the best value per column", () => {
    // cookie-insert has the lowest remap rate; nginx-ip-hash the highest skew
    const rows = markup.split("<tr>").filter((row) => row.includes('scope="row"'));
    const cookie = rows.find((row) => row.includes(">cookie-insert<"));
    expect(cookie).toMatch(/<td class="best">1\.07% <span class="ci">± [\d.]+%<\/span><\/td>/);
    expect(markup).toMatch(/<td class="best">98(\.\d)?% <span class="ci">/); // affinity: higher is better
    expect(markup).toMatch(/±\s*0\.\d+%/);
    expect(markup).toMatch(/1,4\d\d,\d{3}/); // requests with thousands separators
  });

  it("escapes hostile text from the result everywhere", () => {
    const result = sampleResult({ ipHash: XSS });
    result.scenario = `</script><script>alert(2)</script>`;
    result.description = `<img src=x onerror=alert(3)>`;
    const page = renderHtml(result);
    expect(page).not.toContain(XSS);
    expect(page).not.toContain("<script>alert(2)");
    expect(page).not.toContain("<img src=x");
    expect(markupOnly(page)).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    const embedded = embeddedJson(page, "lbsim-result") as { results: { strategy: string }[] };
    expect(embedded.results.map((r) => r.strategy)).toContain(XSS);
  });

  it("loads no chart data from a URL", () => {
    const charts = embeddedJson(html, "lbsim-charts") as unknown[];
    const urls: string[] = [];
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(walk);
      else if (value && typeof value === "object")
        for (const [key, v] of Object.entries(value)) {
          if (key === "url") urls.push(String(v));
          walk(v);
        }
    };
    walk(charts);
    expect(urls).toEqual([]);
    expect(JSON.stringify(charts)).not.toMatch(/https?:\/\//i);
  });

  it("keeps inlined code from closing its script element", () => {
    const code = "var a = \"</script><!-- x\", b = /x<!--/u, c = `<\/SCRIPT>${1}`;";
    const safe = safeScriptText(code);
    expect(safe).not.toMatch(/<\/script|<!--/i);
    const [a, b, c] = new Function(`${safe}; return [a, b, c];`)() as [string, RegExp, string];
    expect([a, b.test("x<!--"), c]).toEqual(["</script><!-- x", true, "</SCRIPT>1"]);
  });
});

describe("report in a browser", () => {
  let browser: Browser;
  let dir: string;

  beforeAll(async () => ({ browser, dir } = await launchBrowser()));

  afterAll(async () => {
    await browser?.close();
  });

  const open = (html: string, name: string) => openPage(browser, dir, html, name);

  it("renders every chart offline, without errors", async () => {
    const { page, context, blocked, problems } = await open(renderHtml(sampleResult()), "report");
    const { containers, rendered } = await renderedCharts(page);
    expect(containers).toBe(reportCharts(sampleResult()).length);
    expect(containers).toBe(8);
    expect(rendered).toBe(containers);
    const screenshot = join(dir, "report.png");
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log(`report screenshot: ${screenshot}`);
    expect(blocked).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it("runs no script smuggled in through the result", async () => {
    const result = sampleResult({ ipHash: `<img src=x onerror="alert(4)">` });
    result.results[0].strategy = XSS;
    result.description = `"><script>alert(5)</script>`;
    const { page, context, blocked, problems, dialogs } = await open(renderHtml(result), "hostile");
    const { containers, rendered } = await renderedCharts(page);
    expect(rendered).toBe(containers);
    expect(dialogs).toEqual([]);
    expect(await page.locator("table.scorecard").innerText()).toContain(XSS);
    expect(blocked).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
