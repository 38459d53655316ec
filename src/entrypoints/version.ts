/**
 * The package version, as a constant rather than an import of package.json: the Lambda bundle would
 * otherwise inline the whole manifest (dependency names and all). test/unit/version.test.ts keeps
 * it equal to package.json's `version`; bump both together.
 */
export const VERSION = '0.1.0';
