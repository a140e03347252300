import { mount } from 'svelte';
import App from './App.svelte';
import { applyTheme, savedTheme } from './lib/theme';
import './app.css';

applyTheme(savedTheme());
matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => applyTheme(savedTheme()));

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
export default mount(App, { target });
