// Three tiers, runnable together (`npm test`) or alone (`--selectProjects <name>`).
const transform = { '^.+\\.ts$': ['@swc/jest'] };
const common = { testEnvironment: 'node', transform, moduleFileExtensions: ['ts', 'js', 'json'] };

module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['<rootDir>/test/terraform/', '<rootDir>/test/dataplane/'] },
    { ...common, displayName: 'terraform', testMatch: ['<rootDir>/test/terraform/**/*.test.ts'] },
    { ...common, displayName: 'dataplane', testMatch: ['<rootDir>/test/dataplane/**/*.test.ts'] },
  ],
};
