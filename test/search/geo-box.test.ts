import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { boxAround, cellsCovering, CELL_SIZES } from '../../src/search/geo-box.ts';

const cellOf = (lat: number, lon: number, level: number) => {
  const size = CELL_SIZES[level] as number;
  return `g${level}x${Math.floor((lat + 90) / size)}y${Math.floor((lon + 180) / size)}`;
};

describe('grid cells covering a search box', () => {
  it('covers every point of the box with the finest grid that stays short', () => {
    const box = boxAround(53.383, -1.4659, 40);
    const cells = cellsCovering(box);
    assert.ok(cells && cells.length <= 24 && cells.length > 1, String(cells?.length));
    const level = Number(cells[0]?.[1]);
    for (const [lat, lon] of [[box.south, box.west], [box.north, box.east], [53.383, -1.4659], [box.south, box.east]] as const) {
      assert.ok(cells.includes(cellOf(lat, lon as number, level)), `${lat},${lon}`);
    }
  });

  it('uses a finer grid for a smaller circle', () => {
    const wide = cellsCovering(boxAround(53.383, -1.4659, 80)) ?? [];
    const narrow = cellsCovering(boxAround(53.383, -1.4659, 5)) ?? [];
    assert.ok(Number(narrow[0]?.[1]) > Number(wide[0]?.[1]));
  });

  it('gives up on boxes that wrap the antimeridian or reach a pole', () => {
    assert.equal(cellsCovering(boxAround(0, 179.9, 50)), null);
    assert.equal(cellsCovering(boxAround(89.5, 0, 50)), null);
  });
});
