import { describe, expect, it } from 'vitest';
import { DimAlgebra } from './dim-math';

describe('DimAlgebra', () => {
  it('adds, subtracts and multiplies symbols into readable expressions', () => {
    const a = new DimAlgebra();
    expect(a.add('N', 1)).toBe('N+1');
    expect(a.sub('N', 1)).toBe('N-1');
    expect(a.mul(2, 'h')).toBe('2*h');
    expect(a.mul('h', 'w')).toBe('h*w');
    expect(a.add(a.sub('N', 1), 1)).toBe('N');
    expect(a.mul(a.add('N', 1), 2)).toBe('2*N+2');
    expect(a.add(3, 4)).toBe(7);
    expect(a.add('N', null)).toBeNull();
  });

  it('divides exactly or not at all', () => {
    const a = new DimAlgebra();
    expect(a.divExact(a.mul('h', 'w'), 'w')).toBe('h');
    expect(a.divExact(a.mul(2, 'h'), 2)).toBe('h');
    expect(a.divExact('h', 2)).toBeUndefined();
    expect(a.divExact(12, 4)).toBe(3);
    expect(a.divExact(12, 5)).toBeUndefined();
    expect(a.divExact(a.mul(a.mul('b', 's'), 768), a.mul('b', 's'))).toBe(768);
    expect(a.divExact(a.add('s', 1), a.add('s', 1))).toBe(1);
  });

  it('rounds divisions to floor/ceil symbols and merges nested ones', () => {
    const a = new DimAlgebra();
    expect(a.floorDiv(a.mul(4, 'h'), 2)).toBe('2*h');
    expect(a.ceilDiv('h', 2)).toBe('ceil(h/2)');
    expect(a.floorDiv('h', 2)).toBe('floor(h/2)');
    // floor((h - 1) / 2) + 1 is ceil(h/2): the stride-2 convolution with padding 1
    expect(a.add(a.floorDiv(a.sub('h', 1), 2), 1)).toBe('ceil(h/2)');
    expect(a.ceilDiv(a.ceilDiv('h', 2), 2)).toBe('ceil(h/4)');
    expect(a.floorDiv(a.floorDiv('h', 2), 3)).toBe('floor(h/6)');
    expect(a.floorDiv(a.add('h', 4), 2)).toBe('floor(h/2)+2');
    expect(a.floorDiv(a.add('h', 5), 2)).toBe('ceil(h/2)+2');
    expect(a.floorDiv(a.add('h', 1), 3)).toBe('floor((h+1)/3)');
    expect(a.floorDiv(7, 2)).toBe(3);
    expect(a.ceilDiv(7, 2)).toBe(4);
  });

  it('reads back its own expressions and replaces unreadable ones by fresh symbols', () => {
    const a = new DimAlgebra();
    const e = a.mul(a.ceilDiv('h', 2), 16);
    expect(e).toBe('16*ceil(h/2)');
    expect(a.divExact(e, 16)).toBe('ceil(h/2)');
    a.reserve(['expr_1']);
    const big = a.product(['a', 'b', 'c', 'd', 'e']);
    expect(big).toMatch(/^expr_\d+$/);
    expect(big).not.toBe('expr_1');
    expect(a.symbol('nonzero')).not.toBe(a.symbol('nonzero'));
  });

  it('brackets symbols that read like expressions', () => {
    const a = new DimAlgebra();
    expect(a.mul('a-b', 2)).toBe('2*(a-b)');
  });
});
