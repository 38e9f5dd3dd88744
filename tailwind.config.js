/** Tailwind CSS 3 configuration: classes are collected from the templ components and the console script. */
module.exports = {
  content: ["./views/**/*.templ", "./views/**/*.go", "./static/js/console.js"],
  theme: { extend: {} },
  plugins: [],
};
