// eslint-disable-next-line @typescript-eslint/no-require-imports
const { tooOld } = require('../../bin/node-version.js') as { tooOld(version: string): boolean };

describe('the supported Node.js range', () => {
  test('below 20.18.1 is too old; 20.18.1, 22 and 24 are not', () => {
    expect(['16.20.2', '18.20.8', '20.0.0', '20.18.0', 'v20.17.9'].filter(tooOld)).toEqual(['16.20.2', '18.20.8', '20.0.0', '20.18.0', 'v20.17.9']);
    expect(['20.18.1', '20.20.2', '22.0.0', '22.23.5', '24.22.3', 'v25.0.0'].filter(tooOld)).toEqual([]);
  });
});
