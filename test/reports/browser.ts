import { existsSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";

const CHROMIUM = "/usr/bin/chromium";

/** Chromium, offline, for opening reports; close it when done. */
export async function launchBrowser(): Promise<{ browser: Browser; dir: string }> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: the browser test needs Chromium (apt-get install -y chromium).`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  return { browser, dir: await mkdtemp(join(tmpdir(), "lbsim-report-")) };
}

/** Opens the page from a file with every request off the file system blocked; collects what was blocked, console problems and dialogs. */
export async function openPage(browser: Browser, dir: string, html: string, name: string) {
  const file = join(dir, `${name}.html`);
  await writeFile(file, html);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const blocked: string[] = [];
  const problems: string[] = [];
  const dialogs: string[] = [];
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith("file:")) return route.continue();
    blocked.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  page.on("request", (request) => {
    if (!request.url().startsWith("file:") && !blocked.includes(request.url())) blocked.push(request.url());
  });
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(pathToFileURL(file).href);
  return { page, context, blocked, problems, dialogs };
}

/** Waits until every chart container holds an svg with marks (or a canvas), and returns how many do. */
export async function renderedCharts(page: Page): Promise<{ containers: number; rendered: number }> {
  await page.waitForFunction(() => Array.from(document.querySelectorAll("[data-chart]")).every((el) => el.getAttribute("data-rendered") !== null), undefined, { timeout: 30_000 });
  return page.evaluate(() => {
    const containers = Array.from(document.querySelectorAll("[data-chart]"));
    const rendered = containers.filter((el) => el.querySelector("svg g.role-mark > *") !== null || (el.querySelector("canvas")?.width ?? 0) > 0);
    return { containers: containers.length, rendered: rendered.length };
  });
}
