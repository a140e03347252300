import { defineConfig, mergeConfig } from 'vitest/config';
import viteConfig from './vite.config';

// Unit tests of the UI's logic (formatting, the backend module, the router). The end-to-end
// tests in tests/e2e run a real Chromium with node:test instead.
export default mergeConfig(viteConfig, defineConfig({ test: { include: ['src/**/*.test.ts'] } }));
