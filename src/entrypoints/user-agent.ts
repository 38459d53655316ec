import { VERSION } from './version.js';

/** The User-Agent of every X API request, `twitter-poller/<package version>`, so the API side can tell releases apart. */
export const USER_AGENT = `twitter-poller/${VERSION}`;
