package media

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWithCodecsUpTo(t *testing.T) {
	p := fixedPlan(t, 1920, 1080) // 1080 720 480 360 240
	all := WithCodecs(p, []string{CodecH264, CodecAV1})
	require.Len(t, all.Video, 10)
	got := WithCodecsUpTo(p, []string{CodecH264, CodecAV1, CodecHEVC}, 720)
	var av1, hevc []int
	for i, r := range got.Video {
		require.Equal(t, "v"+strconv.Itoa(i), r.ID, "IDs stay contiguous")
		switch r.VideoCodec() {
		case CodecAV1:
			av1 = append(av1, r.Height)
		case CodecHEVC:
			hevc = append(hevc, r.Height)
		}
	}
	require.Equal(t, []int{720, 480, 360, 240}, av1, "no AV1 above 720p")
	require.Equal(t, []int{1080, 720, 480, 360, 240}, hevc, "the ceiling is AV1's alone")
	portrait := WithCodecsUpTo(fixedPlan(t, 1080, 1920), []string{CodecH264, CodecAV1}, 720)
	require.Len(t, portrait.Video, 9, "the short side counts: 720x1280 has AV1")
}
