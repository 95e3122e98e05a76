MASK = 0xFFFFFFFF


def lowbias32(x):
    """Chris Wellons' 32-bit integer hash; ajuste derives each random stream's seed with it."""
    x ^= x >> 16
    x = (x * 0x7FEB352D) & MASK
    x ^= x >> 15
    x = (x * 0x846CA68B) & MASK
    return x ^ (x >> 16)


def rotl(x, k):
    return ((x << k) | (x >> (32 - k))) & MASK


class Xoshiro128:
    """ajuste's random generator (engine/random.ts): xoshiro128** seeded through splitmix32.

    PyTorch's generator draws other numbers from the same seed; this port gives ajuste's own, so
    the script sees the rows the run saw.
    """

    def __init__(self, seed):
        state, self.s, self.spare = seed & MASK, [], None
        for _ in range(4):
            state = (state + 0x9E3779B9) & MASK
            z = ((state ^ (state >> 16)) * 0x85EBCA6B) & MASK
            z = ((z ^ (z >> 13)) * 0xC2B2AE35) & MASK
            self.s.append(z ^ (z >> 16))

    def next_u32(self):
        s = self.s
        result = (rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 9) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 11)
        return result

    def uniform(self):
        return self.next_u32() / 2**32

    def below(self, n):
        """A uniform integer in [0, n), rejecting draws past the last whole multiple of n."""
        limit = 2**32 - 2**32 % n
        while True:
            x = self.next_u32()
            if x < limit:
                return x % n

    # when: synthetic
    def normal(self):
        """Box–Muller: two normals from two uniforms, the second kept for the next call."""
        if self.spare is not None:
            value, self.spare = self.spare, None
            return value
        u = 0.0
        while u == 0.0:
            u = self.uniform()
        v = self.uniform()
        radius = math.sqrt(-2 * math.log(u))
        self.spare = radius * math.sin(2 * math.pi * v)
        return radius * math.cos(2 * math.pi * v)

    # end when
    # when: carved_test
    def shuffle(self, items):
        """Fisher–Yates from the last item down, in place."""
        for i in range(len(items) - 1, 0, -1):
            j = self.below(i + 1)
            items[i], items[j] = items[j], items[i]
        return items
    # end when
