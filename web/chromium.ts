// Headless Chromium for the browser tests and bench/gpu.ts: Debian's `chromium` driven by
// playwright-core, with a fresh profile each time, no background networking (the test machines
// have no network), and WebGL/WebGPU either on SwiftShader (CPU emulation: works anywhere) or on
// the machine's GPU. Pages come from web/static_server.ts on http://localhost:<port>/ (a secure
// context, which WebGPU needs; Playwright's request interception misses nested workers).

import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CHROMIUM_PATH = process.env.PROXIMA_CHROMIUM ?? '/usr/bin/chromium';

/** Where WebGL and WebGPU run: SwiftShader (software) or the machine's GPU (Vulkan). */
export type GpuMode = 'swiftshader' | 'hardware';

export function chromiumFlags(gpu: GpuMode): string[] {
  const common = [
    '--no-sandbox',
    '--enable-unsafe-webgpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-dev-shm-usage',
  ];
  return gpu === 'swiftshader'
    ? [...common, '--enable-unsafe-swiftshader', '--use-angle=swiftshader']
    : [...common, '--use-angle=vulkan', '--enable-features=Vulkan', '--ignore-gpu-blocklist'];
}

export class ChromiumMissing extends Error {
  constructor() {
    super(
      `Chromium is not installed at ${CHROMIUM_PATH}: install it with \`apt-get install -y chromium\` ` +
        '(or set PROXIMA_CHROMIUM to a Chromium binary). .ci/run installs it when missing.',
    );
  }
}

export interface Chromium {
  context: BrowserContext;
  page: Page;
  /** Messages the page printed (console and uncaught errors), for failure reports. */
  log: string[];
  close(): Promise<void>;
}

export async function launchChromium(gpu: GpuMode = 'swiftshader'): Promise<Chromium> {
  if (!existsSync(CHROMIUM_PATH)) throw new ChromiumMissing();
  const profile = mkdtempSync(join(tmpdir(), 'proxima-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: chromiumFlags(gpu),
    viewport: { width: 1280, height: 860 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const log: string[] = [];
  page.on('console', (m) => log.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => log.push(`pageerror: ${e.message}`));
  return {
    context,
    page,
    log,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
