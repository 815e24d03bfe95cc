import { render } from 'preact';
import '../../components/style.css';
import { App } from './App.tsx';

render(<App />, document.getElementById('app')!);
