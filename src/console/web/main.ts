import { h } from './dom.js';
import { explorer, recordPage } from './explorer.js';
import { logPage } from './log-page.js';
import { operations } from './ops.js';
import { overview } from './overview.js';

/** Hash routes: #/overview, #/explorer, #/record/<seq>, #/log, #/ops. The page never reloads. */
const main = document.getElementById('app') as HTMLElement;
const nav = document.getElementById('nav') as HTMLElement;
let stop: () => void = () => undefined;

const links: [string, string][] = [
  ['#/overview', 'Overview'],
  ['#/explorer', 'Explorer'],
  ['#/log', 'Log'],
  ['#/ops', 'Operations'],
];
nav.append(...links.map(([href, label]) => h('a', { href }, label)));

const navigate = (hash: string): void => {
  window.location.hash = hash;
};

function route(): void {
  stop();
  const hash = window.location.hash || '#/overview';
  for (const a of nav.querySelectorAll('a')) {
    if (hash.startsWith(a.getAttribute('href') ?? '')) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const record = /^#\/record\/([1-9][0-9]*)$/.exec(hash);
  if (record) stop = recordPage(main, record[1] as string);
  else if (hash === '#/explorer') stop = explorer(main, navigate);
  else if (hash === '#/log') stop = logPage(main);
  else if (hash === '#/ops') stop = operations(main);
  else stop = overview(main);
}

window.addEventListener('hashchange', route);
route();
