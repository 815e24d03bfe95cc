import { render } from 'preact';
import '../../components/style.css';
import { OptionsApp } from './App.tsx';

render(<OptionsApp />, document.getElementById('app')!);
