// A plane's pixels, with the fix-ups the texture needs: red/blue swapped
// back for BGRA memory uploaded as RGBA, alpha forced to 1 for formats
// without alpha (XRGB's X byte is often 0) and for the primary plane;
// colours scaled by u_dim (1 but for a dimmed last frame).
#ifdef GL_FRAGMENT_PRECISION_HIGH
precision highp float;
#else
precision mediump float;
#endif

uniform sampler2D u_texture;
uniform float u_swap_rb;
uniform float u_opaque;
uniform float u_dim;
varying vec2 v_texcoord;

void main ()
{
  vec4 c = texture2D (u_texture, v_texcoord);
  c.rgb = mix (c.rgb, c.bgr, u_swap_rb);
  c.a = max (c.a, u_opaque);
  c.rgb *= u_dim;
  gl_FragColor = c;
}
