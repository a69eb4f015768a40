package ffmpeg

import (
	"math"
	"testing"
)

// probeSeed is ffprobe 5.1's output for a 1 s 320x180 H.264 + AAC clip
// (testsrc2 + sine), trimmed of fields kinema does not read.
const probeSeed = `{"streams":[{"index":0,"codec_name":"h264","profile":"High","codec_type":"video","codec_tag_string":"avc1",` +
	`"width":320,"height":180,"coded_width":320,"coded_height":180,"has_b_frames":2,"sample_aspect_ratio":"1:1",` +
	`"display_aspect_ratio":"16:9","pix_fmt":"yuv420p","level":13,"r_frame_rate":"30/1","avg_frame_rate":"30/1",` +
	`"time_base":"1/15360","duration_ts":15360,"duration":"1.000000","bit_rate":"252040","nb_frames":"30",` +
	`"disposition":{"default":1,"attached_pic":0,"timed_thumbnails":0},"tags":{"language":"und","handler_name":"VideoHandler"}},` +
	`{"index":1,"codec_name":"aac","profile":"LC","codec_type":"audio","sample_fmt":"fltp","sample_rate":"44100","channels":1,` +
	`"channel_layout":"mono","r_frame_rate":"0/0","avg_frame_rate":"0/0","time_base":"1/44100","duration":"1.000000",` +
	`"disposition":{"default":1,"attached_pic":0}}],` +
	`"format":{"filename":"c.mp4","nb_streams":2,"format_name":"mov,mp4,m4a,3gp,3g2,mj2","start_time":"0.000000",` +
	`"duration":"1.000000","size":"43007","bit_rate":"344056","probe_score":100}}`

// FuzzParseProbe feeds arbitrary JSON to the ffprobe parser. Whatever it
// accepts must describe something the planner can use without further
// checks: a video has a positive display size and either a positive frame
// rate or none, durations are finite and not negative, rotation is a
// normalised angle.
func FuzzParseProbe(f *testing.F) {
	f.Add([]byte(probeSeed))
	f.Add([]byte(`{"streams":[{"codec_type":"video","codec_name":"hevc","width":1920,"height":1080,"sample_aspect_ratio":"4:3",` +
		`"avg_frame_rate":"0/0","r_frame_rate":"30000/1001","side_data_list":[{"side_data_type":"Display Matrix","rotation":-90}]}],` +
		`"format":{"format_name":"matroska,webm","duration":"N/A"}}`))
	f.Add([]byte(`{"streams":[{"codec_type":"video","width":600,"height":600,"disposition":{"attached_pic":1}},` +
		`{"codec_type":"audio","codec_name":"mp3","sample_rate":"x","channels":2,"duration":"1e308"}],"format":{"duration":"-1"}}`))
	f.Add([]byte(`{"streams":[{"codec_type":"video","width":2147483647,"height":1,"sample_aspect_ratio":"2147483647:1",` +
		`"avg_frame_rate":"-1/-1","tags":{"rotate":"1e300"}}],"format":{"duration":"NaN","size":"9999999999999999999999"}}`))
	f.Add([]byte(`{"streams":null,"format":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		src, err := parseProbe(data)
		if err != nil {
			return
		}
		if math.IsNaN(src.Duration) || math.IsInf(src.Duration, 0) || src.Duration < 0 {
			t.Fatalf("duration %v", src.Duration)
		}
		if src.Rotation < 0 || src.Rotation >= 360 {
			t.Fatalf("rotation %d not in [0, 360)", src.Rotation)
		}
		if src.HasVideo && (src.Width <= 0 || src.Height <= 0) {
			t.Fatalf("video with display size %dx%d", src.Width, src.Height)
		}
		if (src.FPSNum > 0) != (src.FPSDen > 0) || src.FPSNum < 0 || src.FPSDen < 0 {
			t.Fatalf("frame rate %d/%d", src.FPSNum, src.FPSDen)
		}
		if !src.HasVideo && (src.Width != 0 || src.Height != 0 || src.VideoCodec != "") {
			t.Fatalf("no video but %dx%d %q", src.Width, src.Height, src.VideoCodec)
		}
	})
}
