import { test } from 'node:test';
import assert from 'node:assert/strict';
import { studentTwoSidedTail, trailingZExceedance } from './distributions.ts';

const close = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) < tol, `${what}: ${a} vs ${b}`);

test('Student t tails match printed tables and the normal limit', () => {
  close(studentTwoSidedTail(2.228, 10), 0.05, 2e-4, 't(10) 97.5 % point');
  close(studentTwoSidedTail(2.776, 4), 0.05, 2e-4, 't(4) 97.5 % point');
  close(studentTwoSidedTail(1, 1), 0.5, 1e-12, 'Cauchy: P(|T| > 1) = 1/2');
  close(studentTwoSidedTail(2, 1e7), 0.0455003, 1e-6, 'normal limit');
});

test('the trailing z exceedance is above the normal 4.55 % for short histories and tends to it', () => {
  assert.ok(trailingZExceedance(2, 5) > 0.1);
  close(trailingZExceedance(2, 1e6), 0.0455, 1e-4, 'long history');
});
