/**
 * Which posts a request selects and in what pages: the search query language (lexer, parser,
 * matcher, compiled-query cache), the selection of each endpoint, paging over it and pagination tokens.
 * Imports world/ and api/.
 */
export { QuerySyntaxError } from './ast.js';
export { compileQuery } from './matcher.js';
export { decodeToken, encodeToken } from './page-token.js';
export { pageDown, pageUp } from './paging.js';
export { parseQuery } from './parser.js';
export { QueryCache } from './query-cache.js';
export { type Selection, searchSelection, timelineSelection } from './selection.js';
