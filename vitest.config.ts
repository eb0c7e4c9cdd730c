import { defineConfig } from 'vitest/config';
import { WxtVitest } from 'wxt/testing/vitest-plugin';

export default defineConfig({
  plugins: [WxtVitest()],
  test: {
    environment: 'happy-dom',
    include: ['test/unit/**/*.test.{ts,tsx}'],
    setupFiles: ['test/unit/setup.ts'],
    mockReset: true,
    restoreMocks: true,
    // Some suites talk to the real HTTPS emulator (bursts of 250 requests); a busy 2-core machine needs more than 5 s.
    testTimeout: 20_000,
  },
});
