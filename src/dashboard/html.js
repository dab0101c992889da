/**
 * The dashboard's template tag: htm bound to Preact's `h`, so components are written as tagged
 * templates (`html\`<div>…</div>\``) with no build step. Every view imports `html` from here.
 */
import { h } from 'preact';
import htm from 'htm';

export const html = htm.bind(h);
