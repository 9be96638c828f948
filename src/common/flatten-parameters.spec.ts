import { flattenParameters } from './flatten-parameters';

describe('flattenParameters', () => {
  it('lists nested values as dotted paths in key order, with arrays as JSON text', () => {
    expect(flattenParameters({ wavelengthNm: 0.154, slits: { divergenceDeg: 0.5 }, angles: [0, 5] }, 'parameters')).toEqual([
      ['parameters.angles', '[0,5]'],
      ['parameters.slits.divergenceDeg', 0.5],
      ['parameters.wavelengthNm', 0.154],
    ]);
  });

  it('leaves out null and undefined values, also nested ones', () => {
    expect(flattenParameters({ note: null, gain: undefined, beam: { kV: 5, spot: null }, empty: {} })).toEqual([['beam.kV', 5]]);
  });
});
