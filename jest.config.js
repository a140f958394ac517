// Four tiers, runnable together (`npm test`) or alone (`--selectProjects <name>`).
const transform = { '^.+\\.ts$': ['@swc/jest'] };
const common = { testEnvironment: 'node', transform, moduleFileExtensions: ['ts', 'js', 'json'] };

module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['<rootDir>/test/terraform/', '<rootDir>/test/dataplane/', '<rootDir>/test/instance/'] },
    { ...common, displayName: 'terraform', testMatch: ['<rootDir>/test/terraform/**/*.test.ts'] },
    { ...common, displayName: 'dataplane', testMatch: ['<rootDir>/test/dataplane/**/*.test.ts'] },
    // The boot under systemd, systemd-networkd and cloud-init in a container (root; see test/instance/README.md).
    { ...common, displayName: 'instance', testMatch: ['<rootDir>/test/instance/**/*.test.ts'] },
  ],
};
