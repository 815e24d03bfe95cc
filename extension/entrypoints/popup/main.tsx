import { render } from 'preact';
import '../../components/style.css';
import { currentLocale } from '../../lib/i18n/translator.ts';
import { cachedStatusItem } from '../../lib/storage-items.ts';
import { App } from './App.tsx';

performance.mark('latchkey:script-start');
// The page speaks the browser's language (lib/i18n); index.html says English until this runs.
document.documentElement.lang = currentLocale();
// The saved status is read before the first render (one storage read, a few milliseconds), so the
// first frame painted already shows it: rendering "Loading…" first and reading in an effect cost a
// frame more, since Preact runs effects after the next paint.
void cachedStatusItem
  .get()
  .catch(() => null)
  .then((initialCached) => render(<App initialCached={initialCached} />, document.getElementById('app')!));
