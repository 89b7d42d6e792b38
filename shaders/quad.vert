// One textured quad: a_corner runs over the unit square, u_rect places it
// in normalised device coordinates (x0, y0, x1, y1), with texture row 0 at
// y0 (the top of the picture).
attribute vec2 a_corner;
uniform vec4 u_rect;
varying vec2 v_texcoord;

void main ()
{
  v_texcoord = a_corner;
  gl_Position = vec4 (mix (u_rect.xy, u_rect.zw, a_corner), 0.0, 1.0);
}
