-- grain: a scalar macro: num ÷ den rounded half-up to `decimals` places, in exact integer arithmetic
-- (floating-point round() turns 0.15 into 0.1; contract §8 asks for half-up)
create or replace macro staging.round_half_up(num, den, decimals) as
    ((2 * num::hugeint * (10::hugeint ** decimals)::hugeint + den) // (2 * den::hugeint))::double
    / (10 ** decimals);
comment on macro staging.round_half_up is 'num÷den 按四舍五入（半数进位）保留 decimals 位，整数精确运算。';
