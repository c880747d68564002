/** The page around the sections: head with the inline stylesheet, header with navigation, footer. */
import { html, raw, type SafeHtml } from '../escape';
import { STYLE } from './style';

export interface PageParts {
  title: string;
  subtitle: string;
  nav: { id: string; label: string }[];
  sections: SafeHtml[];
  footer: string;
}

export function page(p: PageParts): string {
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${p.title}</title>
<style>${raw(STYLE)}</style>
</head>
<body>
<main>
<header>
<h1>${p.title}</h1>
<p class="meta">${p.subtitle}</p>
<nav>${p.nav.map((n) => html`<a href="#${n.id}">${n.label}</a>`)}</nav>
</header>
${p.sections}
<footer><p class="note">${p.footer}</p></footer>
</main>
</body>
</html>
`.value;
}
