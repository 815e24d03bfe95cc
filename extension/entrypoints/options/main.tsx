import { render } from 'preact';
import '../../components/style.css';
import { currentLocale, t } from '../../lib/i18n/translator.ts';
import { OptionsApp } from './App.tsx';

// The page speaks the browser's language (lib/i18n); index.html says English until this runs.
document.documentElement.lang = currentLocale();
document.title = t('Latchkey options');
render(<OptionsApp />, document.getElementById('app')!);
